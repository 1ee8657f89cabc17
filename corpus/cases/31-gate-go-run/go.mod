module example.com/playground

go 1.23
