// The browser's extension namespace, named once for every part of the extension:
// Firefox's promise-based `browser`, else Chrome's `chrome`. A classic script, so content
// scripts (which cannot be modules) and modules share it.
'use strict';

globalThis.OptOutApi ??= globalThis.browser ?? globalThis.chrome;
