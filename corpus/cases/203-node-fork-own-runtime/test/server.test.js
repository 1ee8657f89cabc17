const { execSync } = require('child_process');
// Tests may use the tools of the build image: they are not the running app.
execSync('git status --short');
