# A day of a stay in a text message: short, with the weekday people plan by.
STAY_DATE_FORMAT = "D, M j"
# A day of a stay read out on the phone.
SPOKEN_DATE_FORMAT = "F j"
