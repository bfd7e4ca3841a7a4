"""Cost and return per channel: spend set against the funnel and the revenue it brought in."""
