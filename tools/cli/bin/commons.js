#!/usr/bin/env node
// The `commons` command; the compiled program lives in dist/ (built by ./dev).
import '../dist/src/main.js';
