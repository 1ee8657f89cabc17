import os
print(os.listdir("data"))
