require('fs').appendFileSync('board.txt', 'started\n');
