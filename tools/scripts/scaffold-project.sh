#!/usr/bin/env bash
# Usage: scaffold-project.sh <dir> <nx-name> <scope> <type>
set -euo pipefail
dir=$1 name=$2 scope=$3 type=$4
mkdir -p "$dir/src"
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
cat > "$dir/package.json" <<JSON
{
  "name": "@lgsp/$name",
  "version": "0.1.0",
  "private": true,
  "main": "./src/index.ts",
  "nx": {
    "name": "$name",
    "tags": ["scope:$scope", "type:$type"],
    "targets": { "lint": {}, "typecheck": {}, "test": {} }
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/jest.config.js" <<JS
module.exports = {
  ...require('${up}jest.preset.js'),
  displayName: '$name',
  rootDir: __dirname,
};
JS
