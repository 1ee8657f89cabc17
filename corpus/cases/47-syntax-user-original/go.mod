module example.com/audit-log

go 1.22
