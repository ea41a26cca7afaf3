"""Demo data: `tsunagi demo` and the sample submissions it (and the benchmarks) use."""
