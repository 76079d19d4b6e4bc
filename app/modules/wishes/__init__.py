"""wishes: who claims a micro-wish (微心愿) and the service record of a claimer outside the time bank."""
