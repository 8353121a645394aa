# A day of a stay in a text message: short, with the weekday people plan by.
STAY_DATE_FORMAT = "n月j日(D)"
# A day of a stay read out on the phone: 12月11日.
SPOKEN_DATE_FORMAT = "n月j日"
# Django's own runs the day into the hour ("12月11日15:04"); Japanese puts a space between them.
DATETIME_FORMAT = "Y年n月j日 G:i"
