// The release workflow's first step: `node scripts/release-notes.mjs <tag>` checks that the tag names
// the version in package.json and that CHANGELOG.md has a section for it, then prints that section
// (the draft release's notes). Run it before tagging to see what the release will say.
//
// In a workflow (GITHUB_OUTPUT set) it also gives the step the output `prerelease`: true for a
// version with a pre-release part (v1.2.0-beta.1), whose release is then marked a pre-release, so
// GitHub's "latest release" (and so the installed apps' update check) passes over it.
import { appendFileSync, readFileSync } from 'node:fs';

function fail(line) {
  console.error(`release-notes: ${line}`);
  process.exit(1);
}

const tag = process.argv[2] ?? '';
// Semantic versions: MAJOR.MINOR.PATCH with an optional pre-release part (v1.2.0-beta.1).
const match = /^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
if (!match)
  fail(`${JSON.stringify(tag)} is not a version tag; tag releases vMAJOR.MINOR.PATCH, e.g. v0.2.0.`);
const version = match[1];

const { version: packageVersion } = JSON.parse(readFileSync('package.json', 'utf8'));
if (packageVersion !== version) {
  fail(
    `tag ${tag} does not match package.json's version ${packageVersion}; run \`npm version ${version} --no-git-tag-version\`, commit, and tag that commit.`,
  );
}

const lines = readFileSync('CHANGELOG.md', 'utf8').split(/\r?\n/);
const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`);
const start = lines.findIndex((line) => heading.test(line));
if (start === -1) {
  fail(
    `CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section; move the Unreleased entries under it before tagging.`,
  );
}
const next = lines.findIndex((line, index) => index > start && /^## |^\[[^\]]+\]: /.test(line));
const body = lines
  .slice(start + 1, next === -1 ? undefined : next)
  .join('\n')
  .trim();
if (body === '') fail(`the CHANGELOG.md section for ${version} is empty; say what changed before tagging.`);
if (process.env.GITHUB_OUTPUT)
  appendFileSync(process.env.GITHUB_OUTPUT, `prerelease=${version.includes('-')}\n`);
console.log(body);
