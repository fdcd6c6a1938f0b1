//! One compile error per type that cannot travel, instead of one per use.
//!
//! A `remote` actor needs serde on the types of its messages' fields, on
//! its external messages and on its replies. Left to serde and to
//! [`Format`], a type without serde is reported at every place that
//! encodes or decodes it: four errors for one field of a generated
//! message (the derive's `serialize_field`, `next_element`, `next_value`
//! and `missing_field`), two for an external message or a reply. So the
//! macro checks each such type once, with [`__assert_portable`] at the
//! type's span, and everywhere else reaches serde through [`__Probe`]:
//! an inherent method when the type has serde, and otherwise a method of
//! [`__ProbeFallback`] that type-checks whatever the type. The fallback
//! never runs: it is chosen only for a type without serde, and for such a
//! type the check has already failed the build.
//!
//! Types that mention the actor's type parameters are not checked here:
//! the `Wire` impl requires the parameters to be serde, and the macro
//! uses serde directly for them.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserializer, Serialize, Serializer};

use super::{BytesReply, Format, WireError};
use crate::reply::ReplyTo;

/// A type that can travel as bytes: serde's `Serialize` and
/// `DeserializeOwned`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot travel as bytes: the messages and replies of a `remote` or `inspect` actor need serde's `Serialize` and `Deserialize`",
    label = "`{Self}` lacks `Serialize`, `Deserialize` or both",
    note = "derive both: `#[derive(serde::Serialize, serde::Deserialize)]` on `{Self}`; for a type from another crate, look for its `serde` feature"
)]
pub trait __Portable: Serialize + DeserializeOwned {}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned> __Portable for T {}

/// Fails the build, once, at the type's span, when `T` cannot travel.
#[doc(hidden)]
pub const fn __assert_portable<T: __Portable>() {}

/// serde for `T` when `T` has it (inherent methods); [`__ProbeFallback`]
/// otherwise.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct __Probe<T>(PhantomData<T>);

const UNCHECKED: &str = "typact: a type without serde reached the wire; `#[actor(remote)]` checks every type it encodes, so this is a bug in typact";

impl<T: Serialize> __Probe<T> {
    /// `T` in format `F`.
    pub fn encode<F: Format>(value: &T) -> Result<Vec<u8>, WireError> {
        F::encode(value)
    }

    /// For `#[serde(serialize_with)]` on a generated message's field.
    pub fn ser<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

impl<T: Serialize + Send + 'static> __Probe<T> {
    /// The reply handle of an ask that arrived as bytes.
    pub fn reply_as_bytes<F: Format>(reply: Option<BytesReply>) -> ReplyTo<T> {
        super::__reply_as_bytes::<F, T>(reply)
    }
}

impl<T: DeserializeOwned> __Probe<T> {
    /// `T` from format `F`.
    pub fn decode<F: Format>(bytes: &[u8]) -> Result<T, WireError> {
        F::decode(bytes)
    }

    /// For `#[serde(deserialize_with)]` on a generated message's field.
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

impl<T: DeserializeOwned + Send + 'static> __Probe<T> {
    /// Where the bytes of a reply that came back go.
    pub fn bytes_to_reply<F: Format>(
        reply: ReplyTo<T>,
        stable: &'static str,
    ) -> Option<BytesReply> {
        super::__bytes_to_reply::<F, T>(reply, stable)
    }
}

/// What [`__Probe`] offers a type without serde: the same methods, never
/// called (see the module's documentation).
#[doc(hidden)]
pub trait __ProbeFallback<T> {
    fn encode<F: Format>(_: &T) -> Result<Vec<u8>, WireError> {
        unreachable!("{UNCHECKED}")
    }

    fn ser<S: Serializer>(_: &T, _: S) -> Result<S::Ok, S::Error> {
        unreachable!("{UNCHECKED}")
    }

    fn reply_as_bytes<F: Format>(_: Option<BytesReply>) -> ReplyTo<T> {
        unreachable!("{UNCHECKED}")
    }

    fn decode<F: Format>(_: &[u8]) -> Result<T, WireError> {
        unreachable!("{UNCHECKED}")
    }

    fn de<'de, D: Deserializer<'de>>(_: D) -> Result<T, D::Error> {
        unreachable!("{UNCHECKED}")
    }

    fn bytes_to_reply<F: Format>(_: ReplyTo<T>, _: &'static str) -> Option<BytesReply> {
        unreachable!("{UNCHECKED}")
    }
}

impl<T> __ProbeFallback<T> for __Probe<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Json;

    #[allow(dead_code)]
    struct NoSerde;

    #[test]
    fn a_type_with_serde_takes_the_inherent_methods() {
        #[allow(unused_imports)]
        use super::__ProbeFallback as _;
        let bytes = __Probe::<u64>::encode::<Json>(&7).unwrap();
        assert_eq!(bytes, b"7");
        assert_eq!(__Probe::<u64>::decode::<Json>(&bytes).unwrap(), 7);
    }

    #[test]
    #[should_panic(expected = "a type without serde reached the wire")]
    fn a_type_without_serde_type_checks_and_is_never_meant_to_run() {
        #[allow(unused_imports)]
        use super::__ProbeFallback as _;
        let _ = __Probe::<NoSerde>::encode::<Json>(&NoSerde);
    }
}
