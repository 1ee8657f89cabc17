from shared.greet import greet
print(greet("world"))
