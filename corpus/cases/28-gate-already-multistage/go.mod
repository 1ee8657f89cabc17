module example.com/gateway

go 1.23

require golang.org/x/net v0.29.0
