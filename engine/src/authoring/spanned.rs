//! Typed values from a [`Node`] tree: a serde `Deserializer` over the tree, and [`Sp`], a
//! value that remembers where in the file it was written.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::authoring::source::Pos;
use crate::authoring::yaml::{Node, Value, key_text};

/// A value with the position it was written at, so later checks can point at it.
#[derive(Clone, Debug)]
pub struct Sp<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub pos: Pos,
}

impl<T> Sp<T> {
    /// A value with no position in a file (made by code, not read).
    pub fn unplaced(value: T) -> Self {
        Sp {
            value,
            pos: Pos::START,
        }
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Serialize> Serialize for Sp<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// The struct name by which [`NodeDeserializer`] recognises a request for a position.
const SPANNED: &str = "$ttx::Sp";
const SPANNED_FIELDS: &[&str] = &["pos", "value"];

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpVisitor<T> {
            type Value = Sp<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sp<T>, A::Error> {
                let mut pos = Pos::START;
                let mut value = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "pos" {
                        let (line, col, offset, len) =
                            map.next_value::<(u32, u32, usize, usize)>()?;
                        pos = Pos {
                            line,
                            col,
                            offset,
                            len,
                        };
                    } else {
                        value = Some(map.next_value::<T>()?);
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(Sp { value, pos })
            }
        }
        deserializer.deserialize_struct(
            SPANNED,
            SPANNED_FIELDS,
            SpVisitor(std::marker::PhantomData),
        )
    }
}

/// An error while building the typed model from the tree; it carries the position of the
/// node that did not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    /// What did not fit.
    pub message: String,
    /// Where, when known.
    pub pos: Option<Pos>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        DeError {
            message: msg.to_string(),
            pos: None,
        }
    }
}

impl DeError {
    fn at(mut self, pos: Pos) -> Self {
        self.pos.get_or_insert(pos);
        self
    }
}

/// Builds a typed value from a tree. `source` is the file text, used to read a plain
/// scalar such as `1.10` or `yes` back as the string the author wrote where a string is
/// expected.
pub fn from_node<'a, T: Deserialize<'a>>(node: &'a Node, source: &'a str) -> Result<T, DeError> {
    T::deserialize(NodeDeserializer { node, source }).map_err(|e| e.at(node.pos))
}

/// A serde `Deserializer` over one [`Node`].
#[derive(Clone, Copy)]
pub struct NodeDeserializer<'a> {
    node: &'a Node,
    source: &'a str,
}

impl<'a> NodeDeserializer<'a> {
    fn child(&self, node: &'a Node) -> Self {
        NodeDeserializer {
            node,
            source: self.source,
        }
    }

    fn invalid_type(&self, exp: &dyn de::Expected) -> DeError {
        DeError {
            message: format!("expected {exp}, found {}", self.node.value.kind_name()),
            pos: Some(self.node.pos),
        }
    }

    /// The text of a scalar: strings as they are, other plain scalars as written.
    fn scalar_text(&self) -> Option<String> {
        match &self.node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => self
                .node
                .raw(self.source)
                .map(str::to_string)
                .or_else(|| Some(key_text(self.node))),
            _ => None,
        }
    }
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.deserialize_any(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for NodeDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        let result = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqNodes {
                items: items.iter(),
                de: self,
            }),
            Value::Map(entries) => visitor.visit_map(MapNodes {
                entries: entries.iter(),
                value: None,
                de: self,
            }),
        };
        result.map_err(|e| e.at(pos))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar_text() {
            Some(s) => visitor
                .visit_string(s)
                .map_err(|e: DeError| e.at(self.node.pos)),
            None => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED {
            return visitor.visit_map(SpannedAccess { de: self, step: 0 });
        }
        match self.node.value {
            Value::Map(_) => self.deserialize_any(visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let pos = self.node.pos;
        match &self.node.value {
            Value::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                visitor
                    .visit_enum(EnumNode {
                        variant: key_text(k),
                        value: Some(self.child(v)),
                    })
                    .map_err(|e| e.at(pos))
            }
            _ => match self.scalar_text() {
                Some(variant) => visitor
                    .visit_enum(EnumNode {
                        variant,
                        value: None,
                    })
                    .map_err(|e| e.at(pos)),
                None => Err(self.invalid_type(&visitor)),
            },
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    forward_to_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }
}

struct SeqNodes<'a> {
    items: std::slice::Iter<'a, Node>,
    de: NodeDeserializer<'a>,
}

impl<'de> SeqAccess<'de> for SeqNodes<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(self.de.child(node))
                .map(Some)
                .map_err(|e| e.at(node.pos)),
            None => Ok(None),
        }
    }
}

struct MapNodes<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
    de: NodeDeserializer<'a>,
}

impl<'de> MapAccess<'de> for MapNodes<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(self.de.child(k))
                    .map(Some)
                    .map_err(|e| e.at(k.pos))
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("value without a key"))?;
        seed.deserialize(self.de.child(node))
            .map_err(|e| e.at(node.pos))
    }
}

/// Feeds an [`Sp`] its position, then its value.
struct SpannedAccess<'a> {
    de: NodeDeserializer<'a>,
    step: u8,
}

impl<'de> MapAccess<'de> for SpannedAccess<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let key = match self.step {
            0 => "pos",
            1 => "value",
            _ => return Ok(None),
        };
        seed.deserialize(key.into_deserializer()).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.step += 1;
        if self.step == 1 {
            let p = self.de.node.pos;
            let parts = [p.line as u64, p.col as u64, p.offset as u64, p.len as u64];
            seed.deserialize(de::value::SeqDeserializer::new(parts.into_iter()))
        } else {
            seed.deserialize(self.de)
        }
    }
}

struct EnumNode<'a> {
    variant: String,
    value: Option<NodeDeserializer<'a>>,
}

impl<'de> de::EnumAccess<'de> for EnumNode<'de> {
    type Error = DeError;
    type Variant = VariantNode<'de>;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantNode<'de>), DeError> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, VariantNode { value: self.value }))
    }
}

struct VariantNode<'a> {
    value: Option<NodeDeserializer<'a>>,
}

impl<'de> de::VariantAccess<'de> for VariantNode<'de> {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some(v) if matches!(v.node.value, Value::Null) => Ok(()),
            Some(v) => Err(v.invalid_type(&"a name without a value")),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.value {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::custom("expected a value for this variant")),
        }
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Some(v) => de::Deserializer::deserialize_any(v, visitor),
            None => Err(de::Error::custom("expected a list for this variant")),
        }
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value {
            Some(v) => de::Deserializer::deserialize_any(v, visitor),
            None => Err(de::Error::custom("expected a mapping for this variant")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::source::SourceFile;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        id: Sp<String>,
        version: String,
        tags: Vec<Sp<String>>,
        size: Option<u32>,
    }

    #[test]
    fn typed_values_keep_positions_and_plain_scalars_as_written() {
        let src = SourceFile::new("t.yaml", "id: alpha\nversion: 1.10\ntags: [a, b]\n");
        let node = crate::authoring::yaml::parse(&src).unwrap();
        let doc: Doc = from_node(&node, &src.text).unwrap();
        assert_eq!(doc.id.value, "alpha");
        assert_eq!((doc.id.pos.line, doc.id.pos.col), (1, 5));
        assert_eq!(doc.version, "1.10");
        assert_eq!((doc.tags[1].pos.line, doc.tags[1].pos.col), (3, 11));
        assert_eq!(doc.size, None);
    }

    #[test]
    fn type_errors_point_at_the_node() {
        let src = SourceFile::new("t.yaml", "id: a\nversion: v\ntags: [a]\nsize: [1]\n");
        let node = crate::authoring::yaml::parse(&src).unwrap();
        let err = from_node::<Doc>(&node, &src.text).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(4));
    }
}
