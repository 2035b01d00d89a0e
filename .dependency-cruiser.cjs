// The module table of docs/ARCHITECTURE.md as rules: `npm run check` fails when a module imports one
// it may not. Each module may use the ones listed for it; keep the two in step.
/** module -> the core modules it may import (besides itself). */
const allowed = {
  shared: [],
  util: ['shared'],
  media: ['util', 'shared'],
  store: ['util', 'shared'],
  trust: ['store', 'protocol', 'util', 'shared'],
  library: ['trust', 'media', 'store', 'util', 'shared'],
  protocol: ['util', 'shared'],
  link: ['trust', 'protocol', 'util', 'shared'],
  net: ['protocol', 'util', 'shared'],
  stream: ['net', 'store', 'protocol', 'util', 'shared'],
  gateway: ['util', 'shared'],
  control: ['protocol', 'store', 'library', 'media', 'util', 'shared'],
  node: [
    'link',
    'trust',
    'net',
    'store',
    'stream',
    'gateway',
    'control',
    'library',
    'media',
    'protocol',
    'util',
    'shared',
  ],
  settings: ['node', 'store', 'util', 'shared'],
  demo: ['node', 'trust', 'library', 'media', 'store', 'util', 'shared'],
  sim: ['node', 'trust', 'net', 'stream', 'store', 'protocol', 'util', 'shared'],
  cli: [
    'demo',
    'settings',
    'node',
    'link',
    'trust',
    'control',
    'gateway',
    'stream',
    'net',
    'protocol',
    'library',
    'store',
    'media',
    'util',
    'shared',
  ],
};

const moduleRules = Object.entries(allowed).map(([module, uses]) => ({
  name: `core-${module}-layers`,
  comment: `core/${module} may import only: ${uses.length ? uses.map((used) => `core/${used}`).join(', ') : 'nothing outside itself'} (docs/ARCHITECTURE.md, Modules).`,
  severity: 'error',
  from: { path: `^core/${module}/` },
  to: { path: '^core/', pathNot: [`^core/${module}/`, ...uses.map((used) => `^core/${used}/`)] },
}));

module.exports = {
  forbidden: [
    ...moduleRules,
    {
      name: 'core-is-not-an-app',
      comment:
        'core/ runs in plain Node and in Electron’s main process alike: it never imports electron/, renderer/ or the electron package.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(electron|renderer)/|(^|/)node_modules/electron/' },
    },
    {
      name: 'renderer-uses-only-shared',
      comment:
        'The renderer talks to the node over URLs. Of core it runs core/shared and the settings model (pure data and rules, shared with the desktop bridge); of electron/, only the bridge contract, as types.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: {
        path: '^(core|electron)/',
        pathNot: ['^core/shared/', '^core/settings/settings-model\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'renderer-types-from-the-bridge-only',
      comment:
        'Types the renderer may see from outside core/shared: the settings model and the desktop bridge.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: {
        path: '^(core|electron)/',
        pathNot: ['^core/shared/', '^core/settings/settings-model\\.ts$', '^electron/ipc/contract\\.ts$'],
      },
    },
    {
      name: 'settings-model-is-pure',
      comment: 'The renderer runs the settings model: it may import nothing but core/shared.',
      severity: 'error',
      from: { path: '^core/settings/settings-model\\.ts$' },
      to: { path: '^', pathNot: ['^core/shared/'] },
    },
    {
      name: 'no-module-cycles',
      comment: 'A cycle between files makes load order matter and layers meaningless.',
      severity: 'error',
      from: { path: '^(core|electron|renderer)/' },
      // A cycle of type-only imports (a role's handlers naming the node's type) loads nothing.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
