from marketplace.cli import main

# Guarded: the feed parser's process (inventory/feed_reader.py) is spawned, and a spawned child
# imports the parent's main module.
if __name__ == "__main__":
    main()
