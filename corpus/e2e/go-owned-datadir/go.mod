module example.com/datadir

go 1.23
