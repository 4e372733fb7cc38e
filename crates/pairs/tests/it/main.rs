//! Integration tests of lookalike-pairs (one binary: one link).

mod demo;
mod naive;
mod quantile;
mod recall;
mod rule_edges;
mod search_props;
