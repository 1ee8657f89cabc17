process.send('done');
process.exit(0);
