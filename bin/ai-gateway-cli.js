#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=8 --no-allocation-site-pretenuring
'use strict';
// Thin launcher (node flags and environment: common/src/nodeFlags.ts): the CLI is compiled by `npm run build` (run by `prepare` on install).
require('../out/runtime/src/cli/entry.js');
