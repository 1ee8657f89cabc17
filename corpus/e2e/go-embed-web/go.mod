module example.com/embedweb

go 1.22
