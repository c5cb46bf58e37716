// Verdaccio 6 loads plugins with require(); vouch-registry is ESM. Node >= 20.19 can require() an ES module
// (no top-level await), which returns its namespace: { default: VouchRegistryPlugin, ... }, and
// Verdaccio instantiates `default`. Point Verdaccio's `plugins:` setting at the folder above this one.
'use strict';
module.exports = require('../../dist/plugin.js');
