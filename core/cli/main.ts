#!/usr/bin/env node
console.log('peerstreamer: under construction');
