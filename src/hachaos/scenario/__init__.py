"""Running one scenario: steady state, fault, observation, verdict."""
