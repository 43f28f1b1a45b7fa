#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled by `npm run build` (run by `prepare` on install).
require('../out/runtime/src/cli/entry.js');
