module example.com/textstat

go 1.22

require example.com/wordcount v0.3.1
