// Flat ESLint config for the whole workspace.
// Module boundaries: the tags in each project.json decide who may import whom (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const productionDeps = {
  'type:app': ['type:domain', 'type:data', 'type:jobs', 'type:platform', 'type:adapter', 'type:config', 'type:util'],
  'type:domain': ['type:domain', 'type:data', 'type:jobs', 'type:platform', 'type:adapter', 'type:config', 'type:util'],
  'type:platform': ['type:config', 'type:util'],
  'type:data': ['type:config', 'type:util'],
  'type:jobs': ['type:config', 'type:util'],
  // Adapters (entra, vb365) know nothing of our database or domain: config and small utilities only.
  'type:adapter': ['type:config', 'type:util'],
  // The product's configuration: simulators and generic utilities cannot reach it.
  'type:config': ['type:util'],
  'type:util': ['type:util'],
  'type:simulator': ['type:sim-util', 'type:util'],
  'type:sim-util': ['type:util'],
  'type:testing': ['type:domain', 'type:data', 'type:jobs', 'type:platform', 'type:adapter', 'type:config', 'type:util', 'type:sim-util'],
};

const constraints = (withTesting) =>
  Object.entries(productionDeps).map(([sourceTag, allowed]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: withTesting ? [...allowed, 'type:testing'] : allowed,
  }));

const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**/*.ts', '**/test-support/**/*.ts'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', '.local/**', '.nx/**', 'coverage/**', 'libs/db/src/generated/**', '**/*.cjs', '**/*.mjs', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through @app/config; only libs/config reads process.env.',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        { allow: [], enforceBuildableLibDependency: false, depConstraints: constraints(false) },
      ],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { allow: [], enforceBuildableLibDependency: false, depConstraints: constraints(true) },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  {
    // Configuration loading, tools and simulators' own launchers may read the environment.
    files: ['libs/config/**/*.ts', 'tools/**/*.ts', 'apps/*-sim/src/main.ts', 'bench/**/*.ts', 'prisma.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
