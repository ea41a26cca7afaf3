"""Time: firing process timers, the scheduler, overdue alerts and their mail, deadline rules."""
