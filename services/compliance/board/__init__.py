"""What the department and its operators read: the board (with its read models from the training and
notifier topics), the progress and annual reports, the programme gauges."""
