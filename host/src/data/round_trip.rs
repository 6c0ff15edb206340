//! Property tests: every Connect schema and value goes through each converter that takes it
//! and comes back equal.

use abi_stable::std_types::Tuple2;
use plugin_abi::data::{logical, Schema, SchemaBuilder, SchemaType, Value};
use plugin_abi::Props;
use proptest::prelude::*;

use crate::transforms::util::{copy_schema, decimal_bytes};

use super::{
    new_converter, ByteArrayConverter, Converter, JsonConverter, NumberConverter, NumberType,
    StringConverter,
};

/// A primitive schema (optional or not) and a value of it.
fn primitive() -> impl Strategy<Value = (Schema, Value)> {
    prop_oneof![
        any::<i8>().prop_map(|v| (Schema::int8(), Value::Int8(v))),
        any::<i16>().prop_map(|v| (Schema::int16(), Value::Int16(v))),
        any::<i32>().prop_map(|v| (Schema::int32(), Value::Int32(v))),
        any::<i64>().prop_map(|v| (Schema::int64(), Value::Int64(v))),
        any::<f32>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| (Schema::float32(), Value::Float32(v))),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| (Schema::float64(), Value::Float64(v))),
        any::<bool>().prop_map(|v| (Schema::boolean(), Value::Boolean(v))),
        ".{0,20}".prop_map(|v| (Schema::string(), Value::string(v))),
        proptest::collection::vec(any::<u8>(), 0..20)
            .prop_map(|v| (Schema::bytes(), Value::Bytes(v.into()))),
        any::<i32>().prop_map(|v| (logical::date().build(), Value::Int32(v))),
        (0..86_400_000i32).prop_map(|v| (logical::time().build(), Value::Int32(v))),
        any::<i64>().prop_map(|v| (logical::timestamp().build(), Value::Int64(v))),
        (any::<i64>(), 0..6i32).prop_map(|(unscaled, scale)| {
            let bytes = decimal_bytes(unscaled as i128);
            (logical::decimal(scale).build(), Value::Bytes(bytes.into()))
        }),
    ]
}

/// Any schema and value: primitives, optional ones with nulls, arrays, maps and structs.
fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    let leaf = prop_oneof![
        4 => primitive(),
        1 => primitive().prop_map(|(s, _)| (optional(&s), Value::Null)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            // Arrays of one element schema.
            (primitive(), 0..4usize).prop_flat_map(|((s, _), n)| {
                let element = s.clone();
                proptest::collection::vec(value_of(s), n).prop_map(move |items| {
                    (
                        SchemaBuilder::array(element.clone()).build(),
                        Value::Array(items.into()),
                    )
                })
            }),
            // Maps with string keys.
            (primitive(), 0..4usize).prop_flat_map(|((s, _), n)| {
                let v = s.clone();
                proptest::collection::vec(("[a-z]{1,5}", value_of(s)), n).prop_map(move |entries| {
                    let mut seen = std::collections::HashSet::new();
                    let entries: Vec<Tuple2<Value, Value>> = entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .map(|(k, x)| Tuple2(Value::string(k), x))
                        .collect();
                    (
                        SchemaBuilder::map(Schema::string(), v.clone()).build(),
                        Value::Map(entries.into()),
                    )
                })
            }),
            // Structs of the inner strategy's schemas.
            proptest::collection::vec(inner, 1..4).prop_map(|fields| {
                let mut b = SchemaBuilder::new(SchemaType::Struct).name("test.Record");
                for (i, (s, _)) in fields.iter().enumerate() {
                    b = b.field(format!("f{i}"), s.clone());
                }
                let schema = b.build();
                let values: Vec<Value> = fields.into_iter().map(|(_, v)| v).collect();
                (schema.clone(), Value::Struct(schema, values.into()))
            }),
        ]
    })
}

fn optional(s: &Schema) -> Schema {
    copy_schema(s).optional().build()
}

/// Values of one primitive schema (regenerated with that schema's type).
fn value_of(s: Schema) -> BoxedStrategy<Value> {
    primitive()
        .prop_filter("same type", move |(p, _)| p == &s)
        .prop_map(|(_, v)| v)
        .boxed()
}

/// Maps compare without order: a JSON object's keys have none (as Java's HashMap).
fn normalize(v: Value) -> Value {
    match v {
        Value::Map(entries) => {
            let mut entries: Vec<Tuple2<Value, Value>> = entries
                .into_iter()
                .map(|kv| Tuple2(normalize(kv.0), normalize(kv.1)))
                .collect();
            entries.sort_by_key(|kv| kv.0.to_string());
            Value::Map(entries.into())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Struct(s, fields) => Value::Struct(s, fields.into_iter().map(normalize).collect()),
        other => other,
    }
}

fn round_trip(c: &dyn Converter, schema: &Schema, value: &Value) -> (Option<Schema>, Value) {
    let bytes = c.from_connect("t", Some(schema), value).expect("serialize");
    c.to_connect("t", bytes.as_deref()).expect("deserialize")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn json_with_schemas_round_trips_everything((schema, value) in schema_and_value()) {
        let json = JsonConverter::new(&Props::new(), false).unwrap();
        let (back_schema, back) = round_trip(&json, &schema, &value);
        prop_assert_eq!(normalize(back), normalize(value));
        let back_schema = back_schema.expect("schemas are on");
        prop_assert_eq!(back_schema.schema_type, schema.schema_type);
        prop_assert_eq!(back_schema.optional, schema.optional);
        prop_assert_eq!(back_schema.schema_name(), schema.schema_name());
    }

    #[test]
    fn each_typed_converter_round_trips_its_type((schema, value) in primitive()) {
        let converters: Vec<(SchemaType, Box<dyn Converter>)> = vec![
            (SchemaType::String, Box::new(StringConverter::new(&Props::new()).unwrap())),
            (SchemaType::Bytes, Box::new(ByteArrayConverter::default())),
            (SchemaType::Int16, Box::new(NumberConverter::new(NumberType::Short))),
            (SchemaType::Int32, Box::new(NumberConverter::new(NumberType::Integer))),
            (SchemaType::Int64, Box::new(NumberConverter::new(NumberType::Long))),
            (SchemaType::Float32, Box::new(NumberConverter::new(NumberType::Float))),
            (SchemaType::Float64, Box::new(NumberConverter::new(NumberType::Double))),
            (SchemaType::Boolean, Box::new(NumberConverter::new(NumberType::Boolean))),
        ];
        for (t, c) in &converters {
            if *t == schema.schema_type && schema.schema_name().is_none() {
                let (_, back) = round_trip(c.as_ref(), &schema, &value);
                prop_assert_eq!(&back, &value);
                // And nulls stay nulls.
                prop_assert_eq!(round_trip(c.as_ref(), &schema, &Value::Null).1, Value::Null);
            }
        }
    }
}

#[test]
fn every_built_in_converter_is_reachable_by_name() {
    for (class, simple) in super::BUILT_IN_CONVERTERS {
        assert!(
            new_converter(class, &Props::new(), false).is_ok(),
            "{class}"
        );
        assert!(
            new_converter(simple, &Props::new(), true).is_ok(),
            "{simple}"
        );
    }
}
