// The benchmarks of the workspace; the allocation engine's is the only one so far.
import './allocate.bench.js';
