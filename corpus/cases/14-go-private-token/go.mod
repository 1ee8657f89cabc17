module github.com/acme-corp/billing

go 1.23

require github.com/acme-corp/money v1.8.2
