//! Tests of Sigma loading and evaluation against SIGMA.md.
