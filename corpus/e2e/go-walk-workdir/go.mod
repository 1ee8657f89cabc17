module example.com/recipes

go 1.23
