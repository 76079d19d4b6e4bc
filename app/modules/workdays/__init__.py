"""workdays: China's working days (public holidays, adjusted working days) and the calendar table admins extend."""
