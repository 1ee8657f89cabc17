module example.com/homestate

go 1.23
