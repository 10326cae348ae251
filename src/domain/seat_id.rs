//! A seat is its key. Every database has exactly one seat, created with it: an ed25519
//! key pair whose secret half never leaves the computer (it is kept beside the database,
//! never in a sync file). The seat's id is its readable name and a fingerprint of the
//! public key, `宾的电脑#k3m9x2q7d4f8a6b1`: two databases can never share an id, so two
//! seats that chose one name still write two separate chains.
//!
//! Events are hash-chained per seat, so a signature over a seat's chain head (its seq and
//! hash) vouches for every event before it. Seats sign their head on every write and with
//! every export; an importer checks each signature against the key the id's fingerprint
//! names (and against the key it pinned for the seat). Seats written before signing
//! existed have ids without a fingerprint (`seat-a`): their events stay readable and are
//! reported as unsigned.
//!
//! Pure: no file, no randomness (the caller hands a seed in).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Between a seat's readable name and its key's fingerprint.
pub const SEPARATOR: char = '#';
/// Characters of a fingerprint (base32, 5 bits each: 80 bits of the key's SHA-256).
pub const FINGERPRINT_LEN: usize = 16;
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// What a head signature signs before the head itself (so it can mean nothing else).
const HEAD_CONTEXT: &[u8] = b"kefu signed chain head v1\0";

/// The fingerprint of a public key: the first 80 bits of its SHA-256, in base32.
pub fn fingerprint(public: &[u8; 32]) -> String {
    let digest = Sha256::digest(public);
    let mut bits: u128 = 0;
    for b in &digest[..10] {
        bits = bits << 8 | u128::from(*b);
    }
    (0..FINGERPRINT_LEN).map(|i| BASE32[((bits >> (75 - 5 * i)) & 31) as usize] as char).collect()
}

/// The seat id of `name` with this public key.
pub fn seat_id(name: &str, public: &[u8; 32]) -> String {
    format!("{name}{SEPARATOR}{}", fingerprint(public))
}

/// A seat name as a person may choose it: the one character that separates the
/// fingerprint is replaced, and an empty name is `seat`.
pub fn clean_name(name: &str) -> String {
    let n: String = name.trim().chars().map(|c| if c == SEPARATOR { '_' } else { c }).collect();
    if n.is_empty() { "seat".into() } else { n }
}

/// A seat id's readable name and its key fingerprint (None for a seat from before keys).
pub fn split(seat: &str) -> (&str, Option<&str>) {
    match seat.rsplit_once(SEPARATOR) {
        Some((name, fp)) if fp.len() == FINGERPRINT_LEN && fp.bytes().all(|b| BASE32.contains(&b)) => (name, Some(fp)),
        _ => (seat, None),
    }
}

/// The readable name of a seat id.
pub fn name_of(seat: &str) -> &str {
    split(seat).0
}

/// Whether `wanted` (a name or a whole id, as typed after `--seat`) names `seat`.
pub fn names(seat: &str, wanted: &str) -> bool {
    seat == wanted || (split(wanted).1.is_none() && name_of(seat) == wanted)
}

/// One seat's key pair.
pub struct SeatKey {
    signing: SigningKey,
}

impl std::fmt::Debug for SeatKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret half.
        write!(f, "SeatKey({})", self.public_hex())
    }
}

impl SeatKey {
    pub fn from_seed(seed: &[u8; 32]) -> SeatKey {
        SeatKey { signing: SigningKey::from_bytes(seed) }
    }

    pub fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public())
    }

    /// The id of a seat called `name` with this key.
    pub fn seat_id(&self, name: &str) -> String {
        seat_id(name, &self.public())
    }

    /// Whether this key is the one `seat`'s fingerprint names.
    pub fn owns(&self, seat: &str) -> bool {
        split(seat).1 == Some(fingerprint(&self.public()).as_str())
    }

    /// Signs `seat`'s chain head: its newest event's seq and hash.
    pub fn sign_head(&self, seat: &str, seq: i64, hash: &str) -> SignedHead {
        let sig = self.signing.sign(&head_message(seat, seq, hash));
        SignedHead {
            seat: seat.to_string(),
            seq,
            hash: hash.to_string(),
            key: self.public_hex(),
            sig: hex::encode(sig.to_bytes()),
        }
    }
}

fn head_message(seat: &str, seq: i64, hash: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEAD_CONTEXT.len() + seat.len() + 90);
    m.extend_from_slice(HEAD_CONTEXT);
    m.extend_from_slice(seat.as_bytes());
    m.push(0);
    m.extend_from_slice(seq.to_string().as_bytes());
    m.push(0);
    m.extend_from_slice(hash.as_bytes());
    m
}

/// A seat's signature over its chain head: event `seq` of `seat` has hash `hash`, and
/// (through the chain) every event of the seat before it is as the receiver has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHead {
    pub seat: String,
    pub seq: i64,
    pub hash: String,
    /// The public key, 64 hex digits.
    pub key: String,
    /// The ed25519 signature, 128 hex digits.
    pub sig: String,
}

/// Why a signed head does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error("席位 {0} 的编号没有密钥指纹(签名之前的旧席位),不能有签名")]
    NoFingerprint(String),
    #[error("签名的公钥不是席位 {0} 的密钥(编号里的指纹不符)")]
    WrongKey(String),
    #[error("席位 {0} 第 {1} 号链头的签名无效 — 被改动或伪造过")]
    BadSignature(String, i64),
}

impl SignedHead {
    /// The public key, when it is 32 bytes of hex.
    pub fn public(&self) -> Option<[u8; 32]> {
        let mut k = [0u8; 32];
        hex::decode_to_slice(&self.key, &mut k).ok().map(|()| k)
    }

    /// Checks that the key is the one the seat id names, and the signature.
    pub fn verify(&self) -> Result<(), HeadError> {
        let Some(fp) = split(&self.seat).1 else { return Err(HeadError::NoFingerprint(self.seat.clone())) };
        let Some(public) = self.public() else { return Err(HeadError::WrongKey(self.seat.clone())) };
        if fingerprint(&public) != fp {
            return Err(HeadError::WrongKey(self.seat.clone()));
        }
        let bad = || HeadError::BadSignature(self.seat.clone(), self.seq);
        let key = VerifyingKey::from_bytes(&public).map_err(|_| bad())?;
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&self.sig, &mut sig).map_err(|_| bad())?;
        key.verify_strict(&head_message(&self.seat, self.seq, &self.hash), &Signature::from_bytes(&sig))
            .map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SeatKey {
        SeatKey::from_seed(&[n; 32])
    }

    #[test]
    fn an_id_is_the_name_and_the_keys_fingerprint() {
        let k = key(1);
        let id = k.seat_id("宾的电脑");
        let (name, fp) = split(&id);
        assert_eq!(name, "宾的电脑");
        assert_eq!(fp.map(str::len), Some(FINGERPRINT_LEN));
        assert!(k.owns(&id));
        assert!(!key(2).owns(&id));
        assert_ne!(key(2).seat_id("宾的电脑"), id, "one name, two keys: two seats");
        assert_eq!(split("seat-a"), ("seat-a", None));
        assert_eq!(split("a#b"), ("a#b", None));
        assert!(names(&id, "宾的电脑") && names(&id, &id) && !names(&id, "宾"));
        assert!(!names(&id, &key(2).seat_id("宾的电脑")));
        assert_eq!(clean_name(" a#b "), "a_b");
    }

    #[test]
    fn a_signed_head_verifies_and_any_change_breaks_it() {
        let k = key(3);
        let id = k.seat_id("a");
        let h = k.sign_head(&id, 7, &"ab".repeat(32));
        assert_eq!(h.verify(), Ok(()));
        for bad in [
            SignedHead { seq: 8, ..h.clone() },
            SignedHead { hash: "cd".repeat(32), ..h.clone() },
            SignedHead { sig: "00".repeat(64), ..h.clone() },
        ] {
            assert_eq!(bad.verify(), Err(HeadError::BadSignature(id.clone(), bad.seq)));
        }
        // Another key cannot sign for this seat, even a valid signature of its own.
        let other = key(4).sign_head(&id, 7, &h.hash);
        assert_eq!(other.verify(), Err(HeadError::WrongKey(id.clone())));
        let old = key(4).sign_head("seat-a", 7, &h.hash);
        assert_eq!(old.verify(), Err(HeadError::NoFingerprint("seat-a".into())));
        assert!(!format!("{k:?}").contains(&hex::encode(k.seed())));
    }
}
