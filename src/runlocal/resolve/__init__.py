"""What the user typed or pointed at → what it is: hardware and model names."""
