//! Units: raw ADC codes to microvolts through device profiles.
