module example.com/shop

go 1.23

require github.com/joho/godotenv v1.5.1
