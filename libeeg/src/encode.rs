//! Encoders for P2 and P3: the inverse of the decoder.
