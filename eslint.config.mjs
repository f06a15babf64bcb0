import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A template literal that holds SQL (used by the security block at the end). */
const SQL_TEMPLATE =
  'TemplateLiteral:has(TemplateElement[value.raw=/\\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|VALUES)\\b/])';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'examples/*/node_modules/**',
      'examples/*/dist/**',
      'examples/*/build/**',
      'test-output/**',
      '.ci/typeorm-0.3/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Curated named exports only (no export *).' },
        { selector: "CallExpression[callee.name='eval']", message: 'Never eval stored data.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only cli/bin.ts exits.' },
      ],
      'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  // Security (issue 7): SQL values are bound parameters, never pasted into the SQL text.
  // Repeats the base selectors, because a file-scoped no-restricted-syntax replaces them.
  {
    files: ['src/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Curated named exports only (no export *).' },
        { selector: "CallExpression[callee.name='eval']", message: 'Never eval stored data.' },
        {
          selector: "NewExpression[callee.name='Function'] > :not(Literal, Identifier[name='Function'])",
          message: 'Never compile data into code.',
        },
        {
          selector: SQL_TEMPLATE + " > TemplateElement[tail=false][value.raw=/'$/]",
          message: "SQL: a value pasted inside quotes ('${…}'); bind it as a parameter.",
        },
        {
          selector:
            "BinaryExpression[operator='+'] > Literal[value=/^\\s*(SELECT|INSERT|UPDATE|DELETE)\\b|\\b(WHERE|VALUES|SET)\\b.*'$/i]",
          message: 'SQL built by concatenating strings; use a template with bound parameters.',
        },
      ],
    },
  },
);
