//! Clock model: sample timestamps from packet order and chunk arrival times.
