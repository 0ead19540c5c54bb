//! The frequency of the local power grid, which the notch filter and the hum measure target:
//! libeeg's [`Mains`], named here beside them.

pub use libeeg::spectrum::Mains;
