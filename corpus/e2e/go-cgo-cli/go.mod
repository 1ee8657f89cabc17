module example.com/cgocrc

go 1.22
