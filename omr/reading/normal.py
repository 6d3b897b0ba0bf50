"""What a normal spread of values holds, for the robust statistics of the page's
paper and bubbles."""

# The median absolute deviation of normally spread values, times this, is their standard
# deviation: a spread that a few odd values among them (the marked bubbles among the
# paper, a streak's columns among the page's) do not inflate.
MAD_TO_SIGMA = 1.4826
