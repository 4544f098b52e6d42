"""`python -m zhijian …` is the `zhijian` console script."""
from zhijian.cli import main

if __name__ == "__main__":
    main()
