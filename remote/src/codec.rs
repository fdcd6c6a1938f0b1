//! The format of messages and replies on the wire: postcard.

use serde::Serialize;
use serde::de::DeserializeOwned;
use typact::wire::{Format, WireError};

/// Messages and replies as [postcard](https://docs.rs/postcard) bytes: a
/// compact, non-self-describing serde format with a stable wire
/// specification. Used by every node for the payloads inside the
/// [envelope](crate::envelope).
///
/// Decoding checks every length against the bytes that are really there,
/// so a sequence's preallocation is bounded by the payload's size (serde
/// caps a map's at 1 MiB), and bytes left over after the value are an
/// error: a message of another shape is refused, not misread.
///
/// # Examples
///
/// ```
/// use typact::wire::Format;
/// use typact_remote::Postcard;
///
/// let bytes = Postcard::encode(&(7u32, "seven")).unwrap();
/// let back: (u32, String) = Postcard::decode(&bytes).unwrap();
/// assert_eq!(back, (7, "seven".to_owned()));
/// assert!(Postcard::decode::<u32>(&[0x80]).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Postcard;

impl Format for Postcard {
    const NAME: &'static str = "postcard";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WireError> {
        postcard::to_allocvec(value).map_err(|e| WireError::Encode {
            message: "",
            error: e.to_string(),
        })
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
        let (value, rest) = postcard::take_from_bytes(bytes).map_err(|e| WireError::Decode {
            message: "",
            error: e.to_string(),
        })?;
        if !rest.is_empty() {
            return Err(WireError::Decode {
                message: "",
                error: format!("{} bytes left over after the value", rest.len()),
            });
        }
        Ok(value)
    }
}
