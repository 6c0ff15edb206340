//! The `fields` setting: which fields a record has and how each value is made.
//!
//! ```text
//! fields    = field *( "," field )
//! field     = name ":" generator
//! generator = "sequence"                      int64: the record's sequence number 0, 1, 2 …
//!           | "int(" min "," max ")"          int64, uniform in [min, max]
//!           | "float(" min "," max ")"        float64, uniform in [min, max)
//!           | "choice(" a "|" b … ")"         string, one of the options
//!           | "string(" length ")"            string of `length` random [a-z0-9]
//!           | "bool"                          boolean
//!           | "uuid"                          string, a random (version 4) UUID
//!           | "now"                           Timestamp (int64 ms): the time it was made
//! ```
//!
//! For example `id:sequence,user:choice(alice|bob|carol),amount:float(0,100),ts:now`.
//! Names are letters, digits and `_`, not starting with a digit, and unique.

use std::fmt;

use plugin_abi::data::{logical, Schema, Value};

use crate::random::Rng;

/// The longest `string(length)`.
pub const MAX_STRING_LENGTH: usize = 1 << 20;

/// What `fields` accepts, for error messages.
const GENERATORS: &str =
    "sequence, int(min,max), float(min,max), choice(a|b|...), string(length), bool, uuid, now";

/// One field of the generated records.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: String,
    pub generator: Generator,
}

/// How a field's values are made.
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    Sequence,
    Int { min: i64, max: i64 },
    Float { min: f64, max: f64 },
    Choice(Vec<String>),
    String { length: usize },
    Bool,
    Uuid,
    Now,
}

impl Generator {
    /// The Connect schema of the values.
    pub fn schema(&self) -> Schema {
        match self {
            Generator::Sequence | Generator::Int { .. } => Schema::int64(),
            Generator::Float { .. } => Schema::float64(),
            Generator::Choice(_) | Generator::String { .. } | Generator::Uuid => Schema::string(),
            Generator::Bool => Schema::boolean(),
            Generator::Now => logical::timestamp().build(),
        }
    }

    /// The value for the record `sequence`, drawing from that record's `rng`.
    pub fn generate(&self, sequence: i64, rng: &mut Rng, now_ms: i64) -> Value {
        match self {
            Generator::Sequence => Value::Int64(sequence),
            Generator::Int { min, max } => {
                let span = (i128::from(*max) - i128::from(*min) + 1) as u128;
                Value::Int64((i128::from(*min) + rng.below(span) as i128) as i64)
            }
            Generator::Float { min, max } => Value::Float64(min + rng.unit() * (max - min)),
            Generator::Choice(options) => {
                Value::string(options[rng.below(options.len() as u128) as usize].as_str())
            }
            Generator::String { length } => {
                const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
                let text: String = (0..*length)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len() as u128) as usize] as char)
                    .collect();
                Value::string(text)
            }
            Generator::Bool => Value::Boolean(rng.next_u64() & 1 == 1),
            Generator::Uuid => Value::string(uuid_v4(rng)),
            Generator::Now => Value::Int64(now_ms),
        }
    }
}

/// A random UUID in its canonical form, version 4, variant RFC 4122.
fn uuid_v4(rng: &mut Rng) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// What is wrong with a `fields` spec, naming the field (by position and text) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// 1-based position of the field in the list; 0 for the spec as a whole.
    pub position: usize,
    /// The field's text as given.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.position == 0 {
            f.write_str(&self.reason)
        } else {
            write!(
                f,
                "field {} \"{}\": {}",
                self.position, self.field, self.reason
            )
        }
    }
}

impl std::error::Error for SpecError {}

/// Parses a `fields` spec.
pub fn parse_fields(spec: &str) -> Result<Vec<FieldSpec>, SpecError> {
    let items = split_fields(spec)?;
    if items.len() == 1 && items[0].trim().is_empty() {
        return Err(SpecError {
            position: 0,
            field: String::new(),
            reason: "no fields: give at least one name:generator".into(),
        });
    }
    let mut fields: Vec<FieldSpec> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item = item.trim();
        let error = |reason: String| SpecError {
            position: i + 1,
            field: item.to_string(),
            reason,
        };
        if item.is_empty() {
            return Err(error(
                "empty (two commas in a row, or one at the end?)".into(),
            ));
        }
        let Some((name, generator)) = item.split_once(':') else {
            return Err(error(format!(
                "expected name:generator, where the generator is one of {GENERATORS}"
            )));
        };
        let name = name.trim();
        check_name(name).map_err(error)?;
        if fields.iter().any(|f| f.name == name) {
            return Err(error(format!("the name \"{name}\" is used twice")));
        }
        let generator = parse_generator(generator.trim()).map_err(error)?;
        fields.push(FieldSpec {
            name: name.to_string(),
            generator,
        });
    }
    Ok(fields)
}

/// Splits at the commas outside parentheses (`int(0,9)` holds one).
fn split_fields(spec: &str) -> Result<Vec<&str>, SpecError> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let unbalanced = |start: usize, end: usize, reason: &str| SpecError {
        position: items_len_hint(spec, start),
        field: spec[start..end].trim().to_string(),
        reason: reason.into(),
    };
    for (i, c) in spec.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                let end = spec[i..].find(',').map_or(spec.len(), |e| i + e);
                return Err(unbalanced(start, end, "')' without a matching '('"));
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(unbalanced(start, spec.len(), "'(' is never closed"));
    }
    items.push(&spec[start..]);
    Ok(items)
}

/// The 1-based position of the field starting at byte `start` (counting top-level commas).
fn items_len_hint(spec: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut position = 1;
    for c in spec[..start].chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => position += 1,
            _ => {}
        }
    }
    position
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !valid_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "the name \"{name}\" is not letters, digits and '_' starting with a letter or '_'"
        ));
    }
    Ok(())
}

fn parse_generator(text: &str) -> Result<Generator, String> {
    let (name, args) = match text.split_once('(') {
        Some((name, rest)) => match rest.strip_suffix(')') {
            Some(args) => (name.trim(), Some(args)),
            None => return Err(format!("\"{text}\" must end with ')'")),
        },
        None => (text, None),
    };
    let no_args = |g: Generator| match args {
        None => Ok(g),
        Some(_) => Err(format!("{name} takes no arguments")),
    };
    let args_of = |usage: &str| args.ok_or_else(|| format!("{name} needs arguments: {usage}"));
    match name {
        "sequence" => no_args(Generator::Sequence),
        "bool" => no_args(Generator::Bool),
        "uuid" => no_args(Generator::Uuid),
        "now" => no_args(Generator::Now),
        "int" => {
            let (min, max) = two_args(args_of("int(min,max)")?, "int(min,max)")?;
            let min = parse_number::<i64>(min, "an integer")?;
            let max = parse_number::<i64>(max, "an integer")?;
            if min > max {
                return Err(format!("int({min},{max}): min is greater than max"));
            }
            Ok(Generator::Int { min, max })
        }
        "float" => {
            let (min, max) = two_args(args_of("float(min,max)")?, "float(min,max)")?;
            let min = parse_number::<f64>(min, "a number")?;
            let max = parse_number::<f64>(max, "a number")?;
            if !(min.is_finite() && max.is_finite() && (max - min).is_finite()) {
                return Err(format!("float({min},{max}): the bounds must be finite"));
            }
            if min > max {
                return Err(format!("float({min},{max}): min is greater than max"));
            }
            Ok(Generator::Float { min, max })
        }
        "choice" => {
            let options: Vec<String> = args_of("choice(a|b|...)")?
                .split('|')
                .map(|o| o.trim().to_string())
                .collect();
            if options.iter().any(String::is_empty) {
                return Err("choice has an empty option: write choice(a|b|c)".into());
            }
            Ok(Generator::Choice(options))
        }
        "string" => {
            let length = parse_number::<usize>(args_of("string(length)")?, "a length")?;
            if length > MAX_STRING_LENGTH {
                return Err(format!(
                    "string({length}): the length is more than {MAX_STRING_LENGTH}"
                ));
            }
            Ok(Generator::String { length })
        }
        _ => Err(format!(
            "unknown generator \"{name}\"; expected one of {GENERATORS}"
        )),
    }
}

fn two_args<'a>(args: &'a str, usage: &str) -> Result<(&'a str, &'a str), String> {
    let parts: Vec<&str> = args.split(',').collect();
    match parts[..] {
        [a, b] => Ok((a, b)),
        _ => Err(format!(
            "{usage} takes 2 arguments, got {}: \"{args}\"",
            parts.len()
        )),
    }
}

fn parse_number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("\"{}\" is not {what}", text.trim()))
}

/// The struct schema of the generated values, named `name`.
pub fn value_schema(name: &str, fields: &[FieldSpec]) -> Schema {
    fields
        .iter()
        .fold(Schema::struct_builder().name(name), |b, f| {
            b.field(f.name.as_str(), f.generator.schema())
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(spec: &str) -> String {
        parse_fields(spec)
            .expect_err("the spec should be refused")
            .to_string()
    }

    #[test]
    fn the_documented_example_parses_to_its_generators() {
        let fields = parse_fields(
            "id:sequence, user:choice(alice|bob|carol), amount:float(0,100), ts:now, \
             n:int(-5, 5), code:string(6), ok:bool, ref:uuid",
        )
        .unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["id", "user", "amount", "ts", "n", "code", "ok", "ref"]
        );
        assert_eq!(fields[0].generator, Generator::Sequence);
        assert_eq!(
            fields[1].generator,
            Generator::Choice(vec!["alice".into(), "bob".into(), "carol".into()])
        );
        assert_eq!(
            fields[2].generator,
            Generator::Float {
                min: 0.0,
                max: 100.0
            }
        );
        assert_eq!(fields[3].generator, Generator::Now);
        assert_eq!(fields[4].generator, Generator::Int { min: -5, max: 5 });
        assert_eq!(fields[5].generator, Generator::String { length: 6 });
        assert_eq!(fields[6].generator, Generator::Bool);
        assert_eq!(fields[7].generator, Generator::Uuid);
    }

    #[test]
    fn errors_name_the_field_and_what_is_wrong_with_it() {
        assert_eq!(
            error_of("id:sequence,amount:float(0,x)"),
            "field 2 \"amount:float(0,x)\": \"x\" is not a number"
        );
        assert_eq!(
            error_of("id:sequence,user:colour"),
            format!("field 2 \"user:colour\": unknown generator \"colour\"; expected one of {GENERATORS}")
        );
        assert!(error_of("id").starts_with("field 1 \"id\": expected name:generator"));
        assert_eq!(
            error_of("n:int(5,1)"),
            "field 1 \"n:int(5,1)\": int(5,1): min is greater than max"
        );
        assert_eq!(
            error_of("a:bool,a:uuid"),
            "field 2 \"a:uuid\": the name \"a\" is used twice"
        );
        assert!(error_of("1a:bool").contains("the name \"1a\" is not letters"));
        assert!(error_of("a:bool,,b:bool").starts_with("field 2 \"\": empty"));
        assert!(error_of("a:sequence(1)").contains("sequence takes no arguments"));
        assert!(error_of("a:int(1,2,3)").contains("int(min,max) takes 2 arguments, got 3"));
        assert!(error_of("a:int").contains("int needs arguments"));
        assert!(error_of("a:choice(x||y)").contains("empty option"));
        assert!(error_of("a:string(-1)").contains("\"-1\" is not a length"));
        assert!(error_of("a:float(0,1e309)").contains("finite"));
        assert_eq!(error_of(""), "no fields: give at least one name:generator");
    }

    #[test]
    fn unbalanced_parentheses_point_at_their_field() {
        assert_eq!(
            error_of("a:bool,b:int(0,5,c:now"),
            "field 2 \"b:int(0,5,c:now\": '(' is never closed"
        );
        assert_eq!(
            error_of("a:bool,b:int0,5),c:now"),
            "field 3 \"5)\": ')' without a matching '('"
        );
    }

    #[test]
    fn values_follow_their_generators_and_schemas() {
        let fields = parse_fields(
            "id:sequence,n:int(-2,2),x:float(10,20),c:choice(a|b),s:string(12),ok:bool,u:uuid,ts:now",
        )
        .unwrap();
        for sequence in 0..500 {
            let mut rng = Rng::for_record(99, sequence);
            let values: Vec<Value> = fields
                .iter()
                .map(|f| f.generator.generate(sequence, &mut rng, 1_700_000_000_000))
                .collect();
            assert_eq!(values[0], Value::Int64(sequence));
            assert!((-2..=2).contains(&values[1].as_i64().unwrap()));
            let Value::Float64(x) = values[2] else {
                panic!("{:?}", values[2])
            };
            assert!((10.0..20.0).contains(&x));
            assert!(["a", "b"].contains(&values[3].as_str().unwrap()));
            let s = values[4].as_str().unwrap();
            assert_eq!(s.len(), 12);
            assert!(s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
            assert!(matches!(values[5], Value::Boolean(_)));
            let u = values[6].as_str().unwrap();
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4", "version 4: {u}");
            assert!("89ab".contains(&u[19..20]), "RFC 4122 variant: {u}");
            assert_eq!(values[7], Value::Int64(1_700_000_000_000));
        }
    }

    #[test]
    fn int_covers_the_whole_i64_range_without_overflow() {
        let g = parse_fields(&format!("n:int({},{})", i64::MIN, i64::MAX)).unwrap();
        let mut rng = Rng::for_record(1, 1);
        for _ in 0..100 {
            assert!(g[0].generator.generate(0, &mut rng, 0).as_i64().is_some());
        }
        let one = parse_fields("n:int(7,7)").unwrap();
        assert_eq!(one[0].generator.generate(0, &mut rng, 0), Value::Int64(7));
    }

    #[test]
    fn the_value_schema_is_a_named_struct_with_a_timestamp() {
        let fields = parse_fields("id:sequence,ts:now,who:choice(x)").unwrap();
        let schema = value_schema("datagen.Record", &fields);
        assert_eq!(schema.schema_name(), Some("datagen.Record"));
        assert_eq!(schema.fields.len(), 3);
        assert!(logical::is(
            &schema.field("ts").unwrap().schema,
            logical::TIMESTAMP
        ));
        assert_eq!(
            schema.field("who").unwrap().schema.schema_type,
            plugin_abi::data::SchemaType::String
        );
    }
}
