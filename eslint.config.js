// ESLint 9 flat config: typescript-eslint + eslint-plugin-svelte, plus the layer rules
// (STYLE 10): the renderer never imports Node, Electron or engine code at run time; the
// preload reaches only the API contract; the engine never imports Electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import edgequant from './eslint/engine-layers.js';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib',
];

const rendererRestrictions = {
  paths: [
    { name: 'electron', message: 'The renderer has no Electron access; call the API (src-renderer/lib/api.ts).' },
    ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer has no Node access; call the API (src-renderer/lib/api.ts).' })),
  ],
  patterns: [
    { group: ['node:*'], message: 'The renderer has no Node access; call the API (src-renderer/lib/api.ts).' },
    {
      group: ['**/src-main/**', '**/src-preload/**'],
      allowTypeImports: true,
      message: 'The renderer may only `import type` from main-side code; call the API at run time.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-output/**', 'bench-output/**', 'resources/**', '**/*.d.ts', '**/generated/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Warnings, not errors: eight people edit the tree at once and an unused import must not
      // block everyone's CI; `npm run lint` still lists them.
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'prefer-const': 'warn',
      '@typescript-eslint/no-unused-expressions': ['warn', { allowShortCircuit: true, allowTernary: true }],
      // Terminal output parsing (serial consoles) legitimately matches ANSI escape bytes.
      'no-control-regex': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  // Renderer: browser globals, no Node/Electron/engine at run time.
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', rendererRestrictions],
    },
  },
  // Preload: Electron's contextBridge/ipcRenderer and the contract constants only.
  {
    files: ['src-preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'The sandboxed preload has no Node modules.' })),
          patterns: [
            { group: ['node:*'], message: 'The sandboxed preload has no Node modules.' },
            {
              regex: '(^|/)src-main/(?!api/contract$)',
              allowTypeImports: true,
              message: 'The preload may import only the API contract (src-main/api/contract.ts) at run time.',
            },
          ],
        },
      ],
    },
  },
  // Engine folders in layer order (eslint/engine-layers.js): none imports a higher one.
  {
    files: ['src-main/**/*.ts'],
    plugins: { edgequant },
    rules: { 'edgequant/engine-layers': 'error' },
  },
  // Engine: plain Node modules shared by the window, the browser host, the CLI and tests.
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only src-main/electron/ may import electron; the engine runs in the CLI and tests too.' }],
          patterns: [{ group: ['**/electron/*'], message: 'Engine modules may not depend on the Electron layer.' }],
        },
      ],
    },
  },
);
