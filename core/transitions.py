class TransitionNotAllowed(Exception):
    """A state change that the model's TRANSITIONS map does not allow; the message is for people."""
