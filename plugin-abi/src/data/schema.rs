use abi_stable::std_types::{RArc, ROption, RString, RVec, Tuple2};
use abi_stable::StableAbi;

use super::Value;

/// The type of a [`Schema`], as Kafka Connect's `Schema.Type`.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaType {
    /// A signed 8-bit integer ([`Value::Int8`]).
    Int8,
    /// A signed 16-bit integer ([`Value::Int16`]).
    Int16,
    /// A signed 32-bit integer ([`Value::Int32`]).
    Int32,
    /// A signed 64-bit integer ([`Value::Int64`]).
    Int64,
    /// A 32-bit float ([`Value::Float32`]).
    Float32,
    /// A 64-bit float ([`Value::Float64`]).
    Float64,
    /// A boolean ([`Value::Boolean`]).
    Boolean,
    /// A UTF-8 string ([`Value::String`]).
    String,
    /// A byte string ([`Value::Bytes`]).
    Bytes,
    /// A list of values of one schema ([`Value::Array`]).
    Array,
    /// Keys of one schema to values of another ([`Value::Map`]).
    Map,
    /// Named fields, each with its own schema ([`Value::Struct`]).
    Struct,
}

impl SchemaType {
    /// The lower-case name Kafka uses in JSON schemas (`"int32"`, `"struct"` …).
    pub fn name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    /// The inverse of [`SchemaType::name`].
    pub fn from_name(name: &str) -> Option<SchemaType> {
        Some(match name {
            "int8" => SchemaType::Int8,
            "int16" => SchemaType::Int16,
            "int32" => SchemaType::Int32,
            "int64" => SchemaType::Int64,
            "float" => SchemaType::Float32,
            "double" => SchemaType::Float64,
            "boolean" => SchemaType::Boolean,
            "string" => SchemaType::String,
            "bytes" => SchemaType::Bytes,
            "array" => SchemaType::Array,
            "map" => SchemaType::Map,
            "struct" => SchemaType::Struct,
            _ => return None,
        })
    }
}

/// A field of a struct schema.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: RString,
    /// Its position among the struct's fields, from 0.
    pub index: u32,
    /// The schema of its values.
    pub schema: Schema,
}

/// The contents of a [`Schema`].
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SchemaData {
    /// The type of the values.
    pub schema_type: SchemaType,
    /// Whether a value may be `Null`.
    pub optional: bool,
    /// The value used when none is given.
    pub default_value: ROption<Value>,
    /// A fully qualified name, e.g. a logical type's or a struct's record name.
    pub name: ROption<RString>,
    /// The version of a named schema.
    pub version: ROption<i32>,
    /// A description of the data.
    pub doc: ROption<RString>,
    /// Extra properties, e.g. a decimal's scale; in insertion order.
    pub parameters: RVec<Tuple2<RString, RString>>,
    /// Struct fields, in order.
    pub fields: RVec<Field>,
    /// The key schema of a map.
    pub key_schema: ROption<Schema>,
    /// The element schema of an array, or the value schema of a map.
    pub value_schema: ROption<Schema>,
}

/// A Kafka Connect schema. Cheap to clone: records of one stream share one schema.
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Schema(RArc<SchemaData>);

impl Schema {
    /// Whether both are the very same schema (one allocation): a cheap first test before `==`.
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        std::ptr::eq::<SchemaData>(&*self.0, &*other.0)
    }
}

impl std::ops::Deref for Schema {
    type Target = SchemaData;
    fn deref(&self) -> &SchemaData {
        &self.0
    }
}

macro_rules! primitive_constructors {
    ($($fn_name:ident, $opt_name:ident => $ty:ident;)*) => {
        $(
            #[doc = concat!("A required `", stringify!($fn_name), "` schema.")]
            pub fn $fn_name() -> Schema {
                SchemaBuilder::new(SchemaType::$ty).build()
            }
            #[doc = concat!("An optional `", stringify!($fn_name), "` schema.")]
            pub fn $opt_name() -> Schema {
                SchemaBuilder::new(SchemaType::$ty).optional().build()
            }
        )*
    };
}

impl Schema {
    primitive_constructors! {
        int8, optional_int8 => Int8;
        int16, optional_int16 => Int16;
        int32, optional_int32 => Int32;
        int64, optional_int64 => Int64;
        float32, optional_float32 => Float32;
        float64, optional_float64 => Float64;
        boolean, optional_boolean => Boolean;
        string, optional_string => String;
        bytes, optional_bytes => Bytes;
    }

    /// Starts a schema of the given type.
    pub fn builder(schema_type: SchemaType) -> SchemaBuilder {
        SchemaBuilder::new(schema_type)
    }

    /// Starts a struct schema.
    pub fn struct_builder() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Struct)
    }

    /// The field called `name`, if this is a struct schema that has one.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.as_str() == name)
    }

    /// The value of a schema parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|kv| kv.0.as_str() == key)
            .map(|kv| kv.1.as_str())
    }

    /// The schema's name, if it has one (logical types are named schemas).
    pub fn schema_name(&self) -> Option<&str> {
        self.name.as_ref().map(|n| n.as_str()).into()
    }
}

/// Builds a [`Schema`], as Kafka Connect's `SchemaBuilder`.
#[derive(Debug, Clone)]
pub struct SchemaBuilder(SchemaData);

impl SchemaBuilder {
    /// A required schema of `schema_type` with nothing else set.
    pub fn new(schema_type: SchemaType) -> SchemaBuilder {
        SchemaBuilder(SchemaData {
            schema_type,
            optional: false,
            default_value: ROption::RNone,
            name: ROption::RNone,
            version: ROption::RNone,
            doc: ROption::RNone,
            parameters: RVec::new(),
            fields: RVec::new(),
            key_schema: ROption::RNone,
            value_schema: ROption::RNone,
        })
    }

    /// An array of `element`.
    pub fn array(element: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(SchemaType::Array);
        b.0.value_schema = ROption::RSome(element);
        b
    }

    /// A map from `key` to `value`.
    pub fn map(key: Schema, value: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(SchemaType::Map);
        b.0.key_schema = ROption::RSome(key);
        b.0.value_schema = ROption::RSome(value);
        b
    }

    /// Values may be `Null`.
    pub fn optional(mut self) -> Self {
        self.0.optional = true;
        self
    }
    /// Values may not be `Null` (the default).
    pub fn required(mut self) -> Self {
        self.0.optional = false;
        self
    }
    /// Names the schema.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.name = ROption::RSome(name.into().into());
        self
    }
    /// Sets the version of a named schema.
    pub fn version(mut self, version: i32) -> Self {
        self.0.version = ROption::RSome(version);
        self
    }
    /// Describes the data.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.0.doc = ROption::RSome(doc.into().into());
        self
    }
    /// Sets the value used when none is given.
    pub fn default_value(mut self, value: Value) -> Self {
        self.0.default_value = ROption::RSome(value);
        self
    }
    /// Adds a parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0
            .parameters
            .push(Tuple2(key.into().into(), value.into().into()));
        self
    }
    /// Appends a struct field.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let index = self.0.fields.len() as u32;
        self.0.fields.push(Field {
            name: name.into().into(),
            index,
            schema,
        });
        self
    }
    /// The finished schema.
    pub fn build(self) -> Schema {
        Schema(RArc::new(self.0))
    }
}

/// Kafka Connect's logical types: named schemas over primitive types.
pub mod logical {
    use super::{Schema, SchemaBuilder, SchemaType};

    /// The name of the decimal logical type.
    pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
    /// The name of the date logical type.
    pub const DATE: &str = "org.apache.kafka.connect.data.Date";
    /// The name of the time-of-day logical type.
    pub const TIME: &str = "org.apache.kafka.connect.data.Time";
    /// The name of the timestamp logical type.
    pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
    /// The schema parameter holding a decimal's scale.
    pub const DECIMAL_SCALE: &str = "scale";

    /// A decimal: big-endian two's complement unscaled bytes, with `scale`.
    pub fn decimal(scale: i32) -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Bytes)
            .name(DECIMAL)
            .version(1)
            .parameter(DECIMAL_SCALE, scale.to_string())
    }
    /// A date: days since the Unix epoch, as int32.
    pub fn date() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int32).name(DATE).version(1)
    }
    /// A time of day: milliseconds since midnight, as int32.
    pub fn time() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int32).name(TIME).version(1)
    }
    /// A timestamp: milliseconds since the Unix epoch, as int64.
    pub fn timestamp() -> SchemaBuilder {
        SchemaBuilder::new(SchemaType::Int64)
            .name(TIMESTAMP)
            .version(1)
    }

    /// Whether `schema` is the logical type `name`.
    pub fn is(schema: &Schema, name: &str) -> bool {
        schema.schema_name() == Some(name)
    }
}
